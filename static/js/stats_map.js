/*
 * The choropleth of the statistics pages (/stats/, /stats/okrug/<id>/):
 * districts coloured by the share of their reports in work that are overdue
 * now. django-leaflet creates the map and calls window.nashgorodStatsMap by
 * name; this asks the server for /stats/districts.geojson (simplified
 * boundaries, figures, and the legend's classes and colours) and draws it.
 *
 * Nothing here needs the map tiles: without them the districts are drawn on
 * a plain background. Text from the server goes into the page only as text
 * (textContent), never as HTML.
 */
(function () {
  "use strict";

  var NO_DATA = "#c9c9cf";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function percent(share) {
    if (share === null || share === undefined) return "—";
    return (share * 100).toFixed(1).replace(".", ",") + "\u00a0%";
  }

  function popupFor(props) {
    var box = element("div", "map-popup");
    box.appendChild(element("p", null)).appendChild(element("strong", null, props.name));
    box.appendChild(element("p", "muted", props.okrug));
    box.appendChild(
      element("p", null, "Просрочено сейчас: " + props.overdue + " из " + props.in_work + " в работе (" + percent(props.overdue_share) + ")")
    );
    box.appendChild(element("p", null, "За период поступило: " + props.received + ", дан ответ: " + props.answered));
    box.appendChild(element("p", null, "Ответов в срок: " + props.answered_on_time + " (" + percent(props.on_time_share) + ")"));
    var link = element("a", null, "Статистика района");
    link.href = props.url;
    box.appendChild(element("p", null)).appendChild(link);
    return box;
  }

  function styleFor(legend) {
    return function (feature) {
      var index = feature.properties.overdue_class;
      var colour = index === null || index === undefined ? NO_DATA : legend[index].colour;
      return { color: "#555", weight: 1, fillColor: colour, fillOpacity: 0.8 };
    };
  }

  function draw(map, data, status) {
    var layer = L.geoJSON(data, {
      style: styleFor(data.legend),
      onEachFeature: function (feature, shape) {
        var props = feature.properties;
        shape.bindTooltip(props.name + ": " + percent(props.overdue_share) + " просрочено", { sticky: true });
        shape.bindPopup(function () {
          return popupFor(props);
        });
        shape.on("mouseover", function () {
          shape.setStyle({ weight: 3, color: "#222" });
        });
        shape.on("mouseout", function () {
          layer.resetStyle(shape);
        });
      },
    }).addTo(map);
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    status.textContent = "";
  }

  window.nashgorodStatsMap = function (map) {
    var box = document.getElementById("stats-map-box");
    var status = document.getElementById("stats-map-status");
    if (!box || !box.dataset.url) return;
    status.textContent = "Загружаем районы…";
    fetch(box.dataset.url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        draw(map, data, status);
      })
      .catch(function () {
        status.textContent = "Не удалось загрузить карту районов; цифры — в таблицах ниже.";
      });
  };
})();
