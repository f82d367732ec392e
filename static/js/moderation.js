/* The editorial desk's small helpers. Every form works without them: the
   coordinates are plain inputs, the organization select offers the likely
   ones, the merge target is a typed number. */
(function () {
  "use strict";

  /* The point form's map: a draggable marker bound to the lat/lon inputs. */
  window.nashgorodModerationMap = function (map) {
    var lat = document.getElementById("id_point-lat");
    var lon = document.getElementById("id_point-lon");
    if (!lat || !lon || !window.L) return;
    function read() {
      var y = parseFloat(String(lat.value).replace(",", "."));
      var x = parseFloat(String(lon.value).replace(",", "."));
      return isFinite(x) && isFinite(y) ? L.latLng(y, x) : null;
    }
    function write(latlng) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
    }
    var start = read() || map.getCenter();
    var marker = L.marker(start, { draggable: true }).addTo(map);
    map.setView(start, 17);
    marker.on("dragend", function () { write(marker.getLatLng()); });
    map.on("click", function (e) { marker.setLatLng(e.latlng); write(e.latlng); });
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () {
        var p = read();
        if (p) { marker.setLatLng(p); map.panTo(p); }
      });
    });
  };

  /* Organization autocomplete: adds the picked one to the form's select. */
  function setupSearch(box) {
    var form = box.closest("form");
    var select = form && form.querySelector("select[data-organization-select]");
    var input = box.querySelector("input");
    var list = box.querySelector("ul");
    if (!select || !input || !list) return;
    box.hidden = false;
    var timer = null;
    var seq = 0;
    function pick(item) {
      var option = select.querySelector('option[value="' + item.id + '"]');
      if (!option) {
        option = new Option(item.name + " (" + item.kind + ")", item.id);
        select.add(option);
      }
      select.value = String(item.id);
      list.hidden = true;
      input.value = "";
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { list.hidden = true; return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch(box.dataset.organizationSearch + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            if (mine !== seq) return;
            list.innerHTML = "";
            (data.results || []).forEach(function (item) {
              var li = document.createElement("li");
              li.textContent = item.name + " · " + item.kind;
              li.addEventListener("click", function () { pick(item); });
              list.appendChild(li);
            });
            list.hidden = !list.children.length;
          })
          .catch(function () { list.hidden = true; });
      }, 250);
    });
  }

  document.querySelectorAll("[data-organization-search]").forEach(setupSearch);

  /* A nearby report picked as the merge target. */
  document.querySelectorAll("[data-merge-into]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById("id_merge-into");
      if (input) { input.value = button.dataset.mergeInto; input.focus(); }
    });
  });
})();
