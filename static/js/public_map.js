/*
 * The public map of reports (/map/) and the small map of a report's page.
 *
 * django-leaflet creates the maps and calls the callbacks below by name
 * (window.nashgorodPublicMap, window.nashgorodReportMap). The public map
 * asks /map/data/ for the visible box on every move and on every change of
 * the filters, and draws what comes back: reports as dots with a popup,
 * clusters as circles with their count (a click zooms into the cluster's
 * cell). Nothing here depends on the map tiles: without them the dots and
 * clusters still show on a blank background.
 *
 * Plain JavaScript, no build step. Text from the server is only ever put
 * into the page as text (textContent), never as HTML.
 */
(function () {
  "use strict";

  var STATUS_COLOURS = {
    in_work: "#1f6fd1",
    answer_review: "#7a4fd6",
    answered: "#2e9b57",
    disputed: "#d13b3b",
    resolved: "#1b7a3d",
  };

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  function popupFor(props) {
    var box = element("div", "map-popup");
    box.appendChild(element("p", null)).appendChild(element("strong", null, props.topic));
    var status = element("p", null);
    status.appendChild(element("span", "status status-" + props.status, props.status_label));
    box.appendChild(status);
    box.appendChild(element("p", null, props.address || "район " + props.district));
    var link = element("a", null, "Подробнее о сообщении №" + props.id);
    link.href = props.url;
    box.appendChild(element("p", null)).appendChild(link);
    return box;
  }

  function clusterIcon(count) {
    var size = Math.round(clamp(24 + 8 * Math.log10(count), 28, 64));
    return L.divIcon({
      className: "map-cluster",
      html: String(count.toLocaleString("ru-RU")),
      iconSize: [size, size],
    });
  }

  function reportLayer(feature, latlng) {
    var props = feature.properties;
    var marker = L.circleMarker(latlng, {
      radius: 7,
      weight: 2,
      color: "#fff",
      fillColor: STATUS_COLOURS[props.status] || "#c8102e",
      fillOpacity: 0.95,
    });
    marker.bindPopup(function () {
      return popupFor(props);
    });
    marker.bindTooltip(props.topic);
    return marker;
  }

  function clusterLayer(feature, latlng, map) {
    var count = feature.properties.count;
    var marker = L.marker(latlng, {
      icon: clusterIcon(count),
      title: count + " сообщений: приблизить",
      keyboard: true,
    });
    marker.on("click", function () {
      var b = feature.bbox; // the grid cell: west, south, east, north
      if (b) {
        map.fitBounds(
          [
            [b[1], b[0]],
            [b[3], b[2]],
          ],
          { maxZoom: map.getZoom() + 3 }
        );
      } else {
        map.setView(latlng, map.getZoom() + 2);
      }
    });
    return marker;
  }

  window.nashgorodPublicMap = function (map) {
    var root = document.getElementById("public-map");
    var form = document.getElementById("map-filters");
    var statusLine = document.getElementById("map-status");
    var dataUrl = root.getAttribute("data-url");
    var layer = L.layerGroup().addTo(map);
    var pending = null;
    // For the browser tests and for whoever debugs the page in a console.
    window.nashgorod = window.nashgorod || {};
    window.nashgorod.publicMap = map;

    function say(text) {
      statusLine.textContent = text || "";
    }

    function query() {
      var bounds = map.getBounds();
      var params = new URLSearchParams();
      // Zoomed far out, Leaflet's bounds run past ±180°: the server wants a real box.
      params.set(
        "bbox",
        [
          clamp(bounds.getWest(), -180, 180),
          clamp(bounds.getSouth(), -90, 90),
          clamp(bounds.getEast(), -180, 180),
          clamp(bounds.getNorth(), -90, 90),
        ]
          .map(function (n) {
            return n.toFixed(5);
          })
          .join(",")
      );
      params.set("zoom", String(Math.round(map.getZoom())));
      new FormData(form).forEach(function (value, name) {
        if (value) params.set(name, value);
      });
      return params;
    }

    function draw(data) {
      layer.clearLayers();
      L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          return feature.properties.kind === "cluster"
            ? clusterLayer(feature, latlng, map)
            : reportLayer(feature, latlng);
        },
      }).addTo(layer);
      if (data.truncated) {
        say("Показаны не все сообщения этого места — приблизьте карту.");
      } else if (!data.features.length) {
        say("Здесь нет сообщений по выбранным фильтрам.");
      } else {
        say("Сообщений на карте: " + data.total.toLocaleString("ru-RU") + ".");
      }
    }

    function load() {
      if (pending) pending.abort(); // a newer view replaces an older request
      pending = new AbortController();
      say("Загрузка…");
      fetch(dataUrl + "?" + query().toString(), {
        signal: pending.signal,
        headers: { Accept: "application/geo+json, application/json" },
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.error || "HTTP " + response.status);
            return body;
          });
        })
        .then(draw)
        .catch(function (error) {
          if (error.name === "AbortError") return;
          say("Не удалось загрузить сообщения: " + error.message);
        });
    }

    map.on("moveend", load);
    form.addEventListener("change", function () {
      // Keep the filters in the address, so that a reload or the «Показать»
      // button shows the same selection in the list below.
      var params = new URLSearchParams(new FormData(form));
      Array.from(params.keys()).forEach(function (name) {
        if (!params.get(name)) params.delete(name);
      });
      var search = params.toString();
      history.replaceState(null, "", search ? "?" + search : location.pathname);
      load();
    });
    load();
  };

  window.nashgorodReportMap = function (map) {
    var place = document.getElementById("report-place");
    var lat = parseFloat(place.getAttribute("data-lat"));
    var lon = parseFloat(place.getAttribute("data-lon"));
    if (!isFinite(lat) || !isFinite(lon)) return;
    map.setView([lat, lon], 16);
    L.circleMarker([lat, lon], {
      radius: 9,
      weight: 3,
      color: "#fff",
      fillColor: "#c8102e",
      fillOpacity: 1,
    }).addTo(map);
  };
})();
