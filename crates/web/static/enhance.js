(function(){var d=document;
function loc(r){var f={day:'2-digit',month:'2-digit',hour:'2-digit',minute:'2-digit',hourCycle:'h23'};r.querySelectorAll('time[datetime]').forEach(function(e){var t=new Date(e.getAttribute('datetime'));if(!isNaN(t))e.textContent=t.toLocaleString(d.documentElement.lang,f)})}
loc(d);
d.querySelectorAll('input[name=tz_offset]').forEach(function(e){e.value=new Date().getTimezoneOffset()});
var b=d.getElementById('queue-rows'),last=null;
if(b&&window.fetch){setInterval(function(){if(d.hidden)return;fetch('/alerts/rows'+location.search,{credentials:'same-origin'}).then(function(r){return r.ok&&!r.redirected?r.text():null}).then(function(h){if(h!==null&&h!==last){last=h;b.innerHTML=h;loc(b)}}).catch(function(){})},15000)}
})();
