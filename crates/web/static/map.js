/* The map page, enhanced: the server's SVG choropleth becomes a Leaflet map (zoom, alert
   points paged from /api/v1/map/alerts, hotspots from /api/v1/map/summary), and the filters
   update it without reloading. Everything comes from this server; without this script the
   page still shows the SVG, the table and a GET form. */
(function () {
  'use strict';
  var d = document;
  var svg = d.getElementById('map-svg'), live = d.getElementById('map-live');
  var form = d.getElementById('map-filters'), tx = d.getElementById('map-i18n');
  if (!svg || !live || !form || !tx || !window.L || !window.fetch) return;
  var MAX_POINTS = 5000, PAGE = 500;
  var css = d.createElement('link');
  css.rel = 'stylesheet';
  css.href = tx.getAttribute('data-css');
  d.head.appendChild(css);

  var west = +svg.getAttribute('data-west'), north = +svg.getAttribute('data-north');
  var scale = +svg.getAttribute('data-scale');
  var palette = svg.getAttribute('data-palette').split(',');
  var sevColor = ['#999', '#999', '#e6b800', '#d50', '#a00'];

  function nums(s) { return (s.match(/-?\d+/g) || []).map(Number); }
  function latlng(x, y) { return [north - y / scale, west + x / scale]; }
  // The SVG's path data: each ring "M<x> <y>l<dx> <dy>...z" on the server's grid.
  function rings(path) {
    var out = [], re = /M([^l]*)l([^z]*)z/g, m;
    while ((m = re.exec(path))) {
      var a = nums(m[1]), s = nums(m[2]), x = a[0], y = a[1], r = [latlng(x, y)];
      for (var i = 0; i + 1 < s.length; i += 2) { x += s[i]; y += s[i + 1]; r.push(latlng(x, y)); }
      out.push(r);
    }
    return out;
  }
  function el(tag, text, cls) {
    var e = d.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  live.hidden = false;
  svg.style.display = 'none';
  var map = L.map(live, { zoomSnap: 0.25, worldCopyJump: false });
  map.attributionControl.addAttribution('Natural Earth');
  var areas = L.featureGroup(), byCode = {};
  Array.prototype.forEach.call(svg.querySelectorAll('path[data-code]'), function (p) {
    var poly = L.polygon(rings(p.getAttribute('d')), {
      color: '#555', weight: 1, fillColor: p.getAttribute('fill'), fillOpacity: 0.85
    });
    poly.kinga = { name: p.getAttribute('data-name') };
    poly.bindTooltip(poly.kinga.name + ': ' + p.getAttribute('data-count'), { sticky: true });
    byCode[p.getAttribute('data-code')] = poly;
    areas.addLayer(poly);
  });
  areas.addTo(map);
  map.fitBounds(areas.getBounds());
  var points = L.layerGroup().addTo(map), hot = L.layerGroup().addTo(map);
  // Context events (public data sets, never counted as alerts) and the mission's bases: a
  // layer each, with marks of their own shape.
  var context = L.layerGroup().addTo(map), bases = L.layerGroup().addTo(map);
  var overlays = {};
  overlays[tx.getAttribute('data-areas')] = areas;
  overlays[tx.getAttribute('data-alerts')] = points;
  overlays[tx.getAttribute('data-hotspots')] = hot;
  overlays[tx.getAttribute('data-context')] = context;
  overlays[tx.getAttribute('data-bases')] = bases;
  // Incidents, for those who read them: records of their compartments, counts of the others.
  var incidents = L.layerGroup().addTo(map);
  overlays[tx.getAttribute('data-incidents')] = incidents;
  L.control.layers(null, overlays).addTo(map);
  var status = el('p', '', 'hint');
  status.id = 'map-status';
  status.setAttribute('role', 'status');
  live.parentNode.insertBefore(status, live.nextSibling);

  Array.prototype.forEach.call(svg.querySelectorAll('rect.base'), function (r) {
    var closed = r.getAttribute('data-closed') === 'true';
    var m = L.marker([+r.getAttribute('data-lat'), +r.getAttribute('data-lon')], {
      icon: L.divIcon({ className: 'base-mk' + (closed ? ' closed' : ''), html: '<i></i>', iconSize: [16, 16] }),
      keyboard: false
    });
    var t = r.querySelector('title');
    m.bindTooltip(t ? t.textContent : r.getAttribute('data-base'));
    bases.addLayer(m);
  });
  function drawContext(items) {
    items.forEach(function (e) {
      var m = L.marker([e.lat, e.lon], {
        icon: L.divIcon({ className: 'ctx-mk', html: '<i></i>', iconSize: [14, 14] }),
        keyboard: false
      });
      var box = el('div');
      box.appendChild(el('strong', e.event_type));
      box.appendChild(el('div', e.date + ' · ' + (e.actors || []).join('; ')));
      if (e.location) box.appendChild(el('div', e.location));
      if (e.fatalities !== null && e.fatalities !== undefined) box.appendChild(el('div', '† ' + e.fatalities));
      box.appendChild(el('small', e.licence));
      m.bindPopup(box);
      context.addLayer(m);
    });
  }
  function drawIncidents(fc) {
    fc.features.forEach(function (f) {
      if (!f.geometry) return;
      var p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      if (p.kind === 'record') {
        var m = L.marker(ll, {
          icon: L.divIcon({ className: 'inc-mk', html: '<i></i>', iconSize: [14, 14] }), keyboard: false
        });
        var box = el('div');
        box.appendChild(el('strong', p.violations));
        box.appendChild(el('div', p.occurred_on + ' · ' + p.state + ' · ' + p.compartment));
        if (p.perpetrators) box.appendChild(el('div', p.perpetrators));
        m.bindPopup(box);
        incidents.addLayer(m);
      } else {
        incidents.addLayer(L.circleMarker(ll, {
          radius: 9, color: '#704', weight: 2, dashArray: '3', fillOpacity: 0.1, className: 'inc-agg'
        }).bindTooltip((p.place_name || p.place_code) + ': ' + (p.suppressed ? '<5' : p.incidents)));
      }
    });
  }
  function day(iso, minus) {
    var p = iso.split('-');
    var t = Date.UTC(+p[0], +p[1] - 1, +p[2]) - minus * 86400000;
    return new Date(t).toISOString().slice(0, 10);
  }
  function val(name) { return form.elements[name] ? form.elements[name].value : ''; }
  // The window as the server computes it: local days, midnight in the deployment's offset.
  function windowDays() {
    var today = form.getAttribute('data-today'), back = +val('back'), days = +val('days');
    return { from: day(today, back + days - 1), to: day(today, back), next: day(today, back - 1) };
  }
  function apiQuery() {
    var w = windowDays(), off = form.getAttribute('data-offset');
    var q = 'from=' + encodeURIComponent(w.from + 'T00:00:00' + off) +
      '&to=' + encodeURIComponent(w.next + 'T00:00:00' + off);
    if (val('threat_type')) q += '&threat_type=' + encodeURIComponent(val('threat_type'));
    var st = val('state');
    if (st === 'open') q += '&open=true'; else if (st) q += '&state=' + encodeURIComponent(st);
    return q;
  }
  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      if (r.status !== 200) throw new Error(r.status);
      return r.json();
    });
  }
  function popup(a) {
    var box = el('div'), link = el('a', a.reference);
    link.href = '/alerts/' + encodeURIComponent(a.id);
    box.appendChild(link);
    box.appendChild(el('div', (a.threat_type || '') + ' · ' + a.state));
    box.appendChild(el('div', a.reported_at.slice(0, 16).replace('T', ' ') + ' UTC'));
    if (a.uncovered) box.appendChild(el('strong', tx.getAttribute('data-uncovered'), 'unc'));
    return box;
  }
  function drawPoints(items) {
    items.forEach(function (a) {
      var m = L.circleMarker([a.lat, a.lon], a.uncovered
        ? { radius: 7, color: '#c00', weight: 3, fillColor: '#000', fillOpacity: 1, className: 'pt-unc' }
        : { radius: 3 + a.severity, color: '#123', weight: 1, fillColor: sevColor[a.severity] || '#999', fillOpacity: 0.9, className: 'pt' });
      m.bindPopup(popup(a));
      points.addLayer(m);
    });
  }
  function drawSummary(s) {
    // Coloured by risk, the areas do not follow the alert filters.
    if (val('colour') !== 'risk') recolour(s);
    drawHot(s);
    drawTable(s);
  }
  function recolour(s) {
    Object.keys(byCode).forEach(function (code) { byCode[code].setStyle({ fillColor: palette[0] }); });
    s.areas.forEach(function (a) {
      var p = byCode[a.code];
      if (!p) return;
      p.setStyle({ fillColor: palette[Math.min(a.class, 5)] });
      p.setTooltipContent(p.kinga.name + ': ' + a.count);
    });
  }
  function drawHot(s) {
    hot.clearLayers();
    s.hotspots.forEach(function (h) {
      hot.addLayer(L.circle([h.lat, h.lon], {
        radius: h.radius_km * 1000, color: h.flagged ? '#000' : '#06c', weight: 2, fill: false,
        className: 'hot'
      }).bindTooltip(h.count + ' (' + h.flagged + ' ' + tx.getAttribute('data-uncovered') + ')'));
    });
  }
  function drawTable(s) {
    var total = d.getElementById('map-total');
    if (total) total.textContent = s.total;
    [['map-f-outside', s.outside], ['map-f-unlocated', s.unlocated], ['map-f-total', s.total],
      ['map-f-uncovered', s.uncovered]].forEach(function (c) {
      var e = d.getElementById(c[0]);
      if (e) e.textContent = c[1];
    });
    var empty = d.getElementById('map-empty');
    if (empty) empty.hidden = s.total > 0;
    var tb = d.querySelector('#map-areas tbody');
    if (!tb) return;
    while (tb.firstChild) tb.removeChild(tb.firstChild);
    s.areas.filter(function (a) { return a.count > 0; })
      .sort(function (a, b) { return b.count - a.count; })
      .forEach(function (a) {
        var tr = el('tr'), th = el('th', byCode[a.code] ? byCode[a.code].kinga.name : a.name);
        th.scope = 'row';
        tr.setAttribute('data-code', a.code);
        tr.appendChild(th);
        tr.appendChild(el('td', a.count));
        tr.appendChild(el('td', a.uncovered, a.uncovered ? 'unc' : ''));
        tb.appendChild(tr);
      });
  }
  var generation = 0;
  function refresh() {
    var g = ++generation, q = apiQuery(), shown = 0;
    status.textContent = tx.getAttribute('data-loading');
    points.clearLayers();
    getJson('/api/v1/map/summary?' + q).then(function (s) { if (g === generation) drawSummary(s); })
      .catch(function () {});
    function page(offset) {
      return getJson('/api/v1/map/alerts?' + q + '&limit=' + PAGE + '&offset=' + offset).then(function (p) {
        if (g !== generation) return;
        drawPoints(p.items);
        shown += p.items.length;
        status.textContent = shown + ' / ' + p.total;
        if (p.next_offset !== null && p.next_offset !== undefined && p.next_offset < MAX_POINTS) {
          return page(p.next_offset);
        }
        live.setAttribute('data-points', String(shown));
      });
    }
    page(0).catch(function () { status.textContent = ''; });
    context.clearLayers();
    var w = windowDays(), cq = 'from=' + w.from + '&to=' + w.to + '&limit=2000';
    if (val('actor')) cq += '&actor=' + encodeURIComponent(val('actor'));
    incidents.clearLayers();
    var iq = 'from=' + w.from + '&to=' + w.to;
    if (val('actor')) iq += '&actor=' + encodeURIComponent(val('actor'));
    getJson('/api/v1/map/incidents?' + iq).then(function (fc) {
      if (g !== generation) return;
      drawIncidents(fc);
      live.setAttribute('data-incidents', String(fc.features.length));
    }).catch(function () {});
    getJson('/api/v1/map/context?' + cq).then(function (p) {
      if (g !== generation) return;
      drawContext(p.items);
      live.setAttribute('data-context', String(p.items.length));
    }).catch(function () {});
  }
  function label() {
    var w = windowDays(), out = d.getElementById('m-back-out'), win = d.querySelector('#map-window strong');
    if (out) out.textContent = val('back');
    if (win) win.textContent = tx.getAttribute('data-received').replace('{from}', w.from).replace('{to}', w.to);
  }
  var timer = null;
  function changed() {
    label();
    if (window.history && history.replaceState) {
      var qs = ['days', 'back', 'threat_type', 'state', 'actor'].map(function (n) {
        return n + '=' + encodeURIComponent(val(n));
      }).join('&');
      history.replaceState(null, '', '/map?' + qs);
    }
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }
  form.addEventListener('input', changed);
  form.addEventListener('change', changed);
  refresh();
})();
