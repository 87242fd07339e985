/* Médiane: progressive enhancements loaded on every page (no inline script: strict CSP).
 *
 * Maps: any element `.map[data-geojson]` (network places, clustered) or `.map[data-lat][data-lon]`
 * (one place, e.g. a territory or an organisation) becomes a Leaflet map. Leaflet and
 * markercluster are loaded only on pages that have a map. Tiles may be unavailable: markers stay
 * on a plain background and a status line says so.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var assets = script ? script.dataset : {};

  function loadCss(href) {
    if (!href || document.querySelector('link[href="' + href + '"]')) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement("script");
      el.src = src;
      el.onload = resolve;
      el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  function loadLeaflet() {
    if (window.L && window.L.markerClusterGroup) return Promise.resolve();
    loadCss(assets.leafletCss);
    loadCss(assets.clusterCss);
    loadCss(assets.clusterDefaultCss);
    return loadScript(assets.leafletJs).then(function () {
      return loadScript(assets.clusterJs);
    });
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function setStatus(container, text) {
    var status = document.getElementById(container.id + "-status");
    if (!status) return;
    if (text !== undefined) status.dataset.main = text;
    var parts = [status.dataset.main, container.dataset.tilesFailed ? container.dataset.msgTilesError : ""];
    status.textContent = parts.filter(Boolean).join(" ");
  }

  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] !== undefined ? values[key] : "";
    });
  }

  function createMap(container) {
    container.hidden = false;
    // Text inside the container (coordinates for use without JS) moves after the map.
    var after = container.nextSibling;
    Array.prototype.slice.call(container.childNodes).forEach(function (node) {
      container.parentNode.insertBefore(node, after);
    });
    var animate = !reducedMotion();
    var map = L.map(container, {
      zoomAnimation: animate,
      fadeAnimation: animate,
      markerZoomAnimation: animate,
      scrollWheelZoom: false,
      worldCopyJump: true,
    });
    var tiles = container.dataset.tiles;
    if (tiles) {
      var layer = L.tileLayer(tiles, {
        maxZoom: 18,
        attribution: container.dataset.attribution || "",
      });
      layer.once("tileerror", function () {
        container.classList.add("map-no-tiles");
        container.dataset.tilesFailed = "true";
        setStatus(container);
      });
      layer.addTo(map);
    } else {
      container.classList.add("map-no-tiles");
    }
    return map;
  }

  function markerFor(props, latlng) {
    var icon = L.divIcon({
      className: "map-marker layer-" + props.layer,
      iconSize: props.layer === "city" ? [22, 22] : [18, 18],
    });
    var marker = L.marker(latlng, { icon: icon, title: props.name, alt: props.name, keyboard: true });
    var box = document.createElement("div");
    var title = document.createElement("a");
    title.className = "map-popup-title";
    title.href = props.url;
    title.textContent = props.name;
    box.appendChild(title);
    var meta = document.createElement("span");
    meta.className = "map-popup-meta";
    meta.textContent = [props.layer_label, props.detail].filter(Boolean).join(" · ");
    box.appendChild(meta);
    marker.bindPopup(box);
    return marker;
  }

  function checkedLayers(form) {
    var layers = {};
    form.querySelectorAll('input[name="layer"]').forEach(function (input) {
      layers[input.value] = input.checked;
    });
    return layers;
  }

  function regionLabels(map, container) {
    // Orientation when the tiles are missing: the two sides of the network, as plain text.
    [
      [container.dataset.regionFrance, [53.8, 2.5]],
      [container.dataset.regionQuebec, [50.8, -72]],
    ].forEach(function (item) {
      if (!item[0]) return;
      L.tooltip({ permanent: true, direction: "center", className: "map-region-label", interactive: false })
        .setLatLng(item[1])
        .setContent(item[0])
        .addTo(map);
    });
  }

  function networkMap(container) {
    var map = createMap(container);
    map.setView([47, -35], 2);
    regionLabels(map, container);
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
    cluster.addTo(map);
    var markers = [];
    var form = document.querySelector('form.map-filters[data-map="' + container.id + '"]');

    function refresh() {
      var layers = form ? checkedLayers(form) : null;
      cluster.clearLayers();
      var shown = markers.filter(function (item) {
        return !layers || layers[item.layer];
      });
      cluster.addLayers(shown.map(function (item) { return item.marker; }));
      if (form) {
        document.querySelectorAll(".places-list li[data-layer]").forEach(function (li) {
          li.hidden = !layers[li.dataset.layer];
        });
      }
      setStatus(container, format(container.dataset.msgCount, { count: shown.length }));
      return shown;
    }

    if (form) {
      var submit = form.querySelector(".map-filters-submit");
      if (submit) submit.hidden = true;
      // All layers are fetched: from now on the checkboxes filter on the client.
      form.addEventListener("change", refresh);
    }

    fetch(container.dataset.geojson.split("?")[0], { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        data.features.forEach(function (feature) {
          var c = feature.geometry.coordinates;
          markers.push({
            layer: feature.properties.layer,
            marker: markerFor(feature.properties, [c[1], c[0]]),
          });
        });
        var shown = refresh();
        if (shown.length) {
          var bounds = L.latLngBounds(shown.map(function (item) { return item.marker.getLatLng(); }));
          map.fitBounds(bounds, { padding: [30, 30], maxZoom: 9 });
        }
        container.dataset.ready = "true";
      })
      .catch(function () {
        setStatus(container, container.dataset.msgLoadError);
      });
  }

  function placeMap(container) {
    var lat = parseFloat(container.dataset.lat);
    var lon = parseFloat(container.dataset.lon);
    if (isNaN(lat) || isNaN(lon)) return;
    if (!container.dataset.tiles && assets.tiles) container.dataset.tiles = assets.tiles;
    if (!container.dataset.attribution && assets.attribution) {
      container.dataset.attribution = assets.attribution;
    }
    var map = createMap(container);
    map.setView([lat, lon], parseInt(container.dataset.zoom || "11", 10));
    var name = container.dataset.name || "";
    L.marker([lat, lon], {
      icon: L.divIcon({ className: "map-marker layer-" + (container.dataset.layer || "city"), iconSize: [22, 22] }),
      title: name,
      alt: name,
    }).addTo(map);
    container.dataset.ready = "true";
  }

  function initMaps() {
    var containers = document.querySelectorAll(".map[data-geojson], .map[data-lat][data-lon]");
    if (!containers.length) return;
    loadLeaflet()
      .then(function () {
        containers.forEach(function (container) {
          if (container.dataset.geojson) networkMap(container);
          else placeMap(container);
        });
      })
      .catch(function () {
        /* Without Leaflet the pages keep their lists and coordinates as text. */
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initMaps);
  else initMaps();
})();

/*
 * Forms: `form[data-autosubmit]` submits itself when one of its fields changes (htmx handles
 * the submission when the form has hx-post); `form[data-confirm]` asks the question of its
 * attribute before submitting. Delegated, so fragments swapped in by htmx work too; without
 * JavaScript, the forms keep their submit buttons.
 */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit")) {
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }
  });
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
})();
