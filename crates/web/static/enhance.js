(function(){var d=document;
function loc(r){var f={day:'2-digit',month:'2-digit',hour:'2-digit',minute:'2-digit',hourCycle:'h23'};r.querySelectorAll('time[datetime]').forEach(function(e){var t=new Date(e.getAttribute('datetime'));if(!isNaN(t))e.textContent=t.toLocaleString(d.documentElement.lang,f)})}
loc(d);
d.querySelectorAll('input[name=tz_offset]').forEach(function(e){e.value=new Date().getTimezoneOffset()});
var b=d.getElementById('queue-rows'),tag=null;
if(b&&window.fetch){setInterval(function(){if(d.hidden)return;fetch('/alerts/rows'+location.search,{credentials:'same-origin',cache:'no-store',headers:tag?{'If-None-Match':tag}:{}}).then(function(r){if(r.status!==200||r.redirected)return null;tag=r.headers.get('ETag');return r.text()}).then(function(h){if(h!==null){b.innerHTML=h;loc(b)}}).catch(function(){})},15000)}
})();
