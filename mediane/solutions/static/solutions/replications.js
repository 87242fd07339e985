/* Solutions: the replications map (no inline script: strict CSP).
 *
 * `.map[data-replications]` becomes a Leaflet map of the GeoJSON at that URL: a point per city
 * (where a solution comes from, where it is replicated) and a line from the source city to each
 * replicating city. Leaflet is loaded from the URLs given to mediane.js. Without JavaScript or
 * tiles, the page's table says the same.
 */
(function () {
  "use strict";

  function assets() {
    var script = document.querySelector("script[data-leaflet-js]");
    return script ? script.dataset : {};
  }

  function loadLeaflet() {
    if (window.L) return Promise.resolve();
    var a = assets();
    if (a.leafletCss && !document.querySelector('link[href="' + a.leafletCss + '"]')) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = a.leafletCss;
      document.head.appendChild(link);
    }
    return new Promise(function (resolve, reject) {
      var el = document.createElement("script");
      el.src = a.leafletJs;
      el.onload = resolve;
      el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  function status(container, text) {
    var line = document.getElementById(container.id + "-status");
    if (line) line.textContent = text;
  }

  function popup(title, href, meta) {
    var box = document.createElement("div");
    var a = document.createElement("a");
    a.className = "map-popup-title";
    a.href = href;
    a.textContent = title;
    box.appendChild(a);
    var span = document.createElement("span");
    span.className = "map-popup-meta";
    span.textContent = meta;
    box.appendChild(span);
    return box;
  }

  function draw(container, data) {
    var a = assets();
    container.hidden = false;
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var map = L.map(container, { scrollWheelZoom: false, worldCopyJump: true, zoomAnimation: !reduce, fadeAnimation: !reduce });
    var messages = [];
    if (a.tiles) {
      var tiles = L.tileLayer(a.tiles, { maxZoom: 18, attribution: a.attribution || "" });
      tiles.once("tileerror", function () {
        container.classList.add("map-no-tiles");
        messages.push(container.dataset.msgTilesError);
        status(container, messages.join(" "));
      });
      tiles.addTo(map);
    } else {
      container.classList.add("map-no-tiles");
    }
    var bounds = [];
    var lines = 0;
    data.features.forEach(function (feature) {
      var g = feature.geometry;
      var p = feature.properties;
      if (g.type === "LineString") {
        var latlngs = g.coordinates.map(function (c) { return [c[1], c[0]]; });
        L.polyline(latlngs, { className: "solutions-line", weight: 3, opacity: 0.8 })
          .bindPopup(popup(p.solution, p.url, p.from + " → " + p.to + (p.status ? " · " + p.status : "")))
          .addTo(map);
        lines += 1;
      } else if (g.type === "Point") {
        var latlng = [g.coordinates[1], g.coordinates[0]];
        var layer = p.sources ? "accelerator" : "city";
        var meta = [];
        if (p.sources) meta.push(p.sources + " " + container.dataset.msgSources);
        if (p.replications) meta.push(p.replications + " " + container.dataset.msgReplications);
        L.marker(latlng, {
          icon: L.divIcon({ className: "map-marker layer-" + layer, iconSize: [22, 22] }),
          title: p.name,
          alt: p.name,
          keyboard: true,
        }).bindPopup(popup(p.name, p.url, meta.join(" · "))).addTo(map);
        bounds.push(latlng);
      }
    });
    if (bounds.length) map.fitBounds(L.latLngBounds(bounds), { padding: [40, 40], maxZoom: 7 });
    else map.setView([47, -35], 2);
    messages.unshift((container.dataset.msgCount || "").replace("%(count)s", lines));
    status(container, messages.join(" "));
    container.dataset.ready = "true";
  }

  function init() {
    var container = document.querySelector(".map[data-replications]");
    if (!container) return;
    Promise.all([
      loadLeaflet(),
      fetch(container.dataset.replications, { headers: { Accept: "application/geo+json" } }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }),
    ])
      .then(function (results) { draw(container, results[1]); })
      .catch(function () { status(container, container.dataset.msgLoadError); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
