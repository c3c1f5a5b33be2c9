(function(){var d=document;
var b=d.getElementById('queue-live'),tag=null;
if(b&&window.fetch){setInterval(function(){if(d.hidden)return;fetch('/alerts/rows'+location.search,{credentials:'same-origin',cache:'no-store',headers:tag?{'If-None-Match':tag}:{}}).then(function(r){if(r.status!==200||r.redirected)return null;tag=r.headers.get('ETag');return r.text()}).then(function(h){if(h!==null&&!b.contains(d.activeElement))b.innerHTML=h}).catch(function(){})},15000)}
})();
