/* «Сообщить о проблеме»: map, address search, topic picker, duplicate hint,
   photo GPS. The form works without this script: it only fills the hidden
   lat/lon/building fields and helps the resident choose. */
(function () {
  "use strict";
  var urls = window.NASHGOROD_URLS;
  var form = document.getElementById("report-form");
  var $ = function (id) { return document.getElementById(id); };
  var latInput = form.querySelector("[name=lat]");
  var lonInput = form.querySelector("[name=lon]");
  var buildingInput = form.querySelector("[name=building]");
  var addressInput = form.querySelector("[name=address]");
  var topicSelect = form.querySelector("[name=topic]");
  var placeInfo = $("place-info");
  var topics = JSON.parse($("topics-data").textContent);
  var topicById = {};
  topics.forEach(function (t) { topicById[t.id] = t; });
  var map = null, marker = null;

  function csrf() { return form.querySelector("[name=csrfmiddlewaretoken]").value; }
  function currentTopic() { return topicById[topicSelect.value] || null; }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function getJSON(url, params) {
    var q = new URLSearchParams(params).toString();
    return fetch(url + "?" + q, {credentials: "same-origin"}).then(function (r) {
      return r.json().then(function (body) { return {status: r.status, body: body}; });
    });
  }
  function say(html, isError) {
    placeInfo.innerHTML = html;
    placeInfo.className = "place-info" + (isError ? " error" : "");
  }

  /* ---- the point ---- */
  function setPoint(lat, lon, opts) {
    opts = opts || {};
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    if (map) {
      var ll = [lat, lon];
      if (!marker) {
        marker = L.marker(ll, {draggable: true}).addTo(map);
        marker.on("dragend", function () {
          var p = marker.getLatLng();
          setPoint(p.lat, p.lng, {fromMap: true});
        });
      } else {
        marker.setLatLng(ll);
      }
      if (opts.zoom) map.setView(ll, Math.max(map.getZoom(), 16));
    }
    if (opts.fromMap) {
      buildingInput.value = "";
      reverseGeocode(lat, lon);
    }
    checkDuplicates();
  }

  function clearPoint() {
    latInput.value = "";
    lonInput.value = "";
    buildingInput.value = "";
    if (marker && map) { map.removeLayer(marker); marker = null; }
    $("duplicates").hidden = true;
  }

  function reverseGeocode(lat, lon) {
    say("Определяем адрес…");
    getJSON(urls.reverse, {lat: lat, lon: lon}).then(function (res) {
      if (res.status === 422 || !res.body.inside) {
        clearPoint();
        say(escapeHtml(res.body.error || "Точка находится за пределами Москвы."), true);
        return;
      }
      var b = res.body.building;
      var text = "Район " + escapeHtml(res.body.district) + ", " + escapeHtml(res.body.okrug);
      if (b) {
        text = "Ближайший адрес: <strong>" + escapeHtml(b.address) + "</strong> (" + Math.round(b.distance_m) + " м). " + text;
        addressInput.value = b.address;
        var topic = currentTopic();
        if (topic && topic.needs_building) buildingInput.value = b.id;
      } else {
        addressInput.value = "";
      }
      say(text);
    }).catch(function () { say("Не удалось определить адрес: проверьте соединение.", true); });
  }

  window.nashgorodReportMap = function (m) {
    map = m;
    map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, {fromMap: true}); });
    if (latInput.value && lonInput.value) setPoint(parseFloat(latInput.value), parseFloat(lonInput.value), {zoom: true});
  };

  /* ---- address suggestions ---- */
  var list = $("address-suggestions");
  var timer = null, active = -1, results = [];
  function renderSuggestions() {
    list.innerHTML = "";
    results.forEach(function (r, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.className = i === active ? "active" : "";
      li.innerHTML = escapeHtml(r.address) + ' <span class="muted">' + escapeHtml(r.district) + "</span>";
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(r); });
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
  }
  function pick(r) {
    addressInput.value = r.address;
    buildingInput.value = r.id;
    results = []; renderSuggestions();
    setPoint(r.lat, r.lon, {zoom: true});
    say("Дом: <strong>" + escapeHtml(r.address) + "</strong>, район " + escapeHtml(r.district) + ", " + escapeHtml(r.okrug));
  }
  addressInput.addEventListener("input", function () {
    buildingInput.value = "";
    clearTimeout(timer);
    var q = addressInput.value.trim();
    if (q.length < 2) { results = []; renderSuggestions(); return; }
    timer = setTimeout(function () {
      getJSON(urls.suggest, {q: q, limit: 8}).then(function (res) {
        if (addressInput.value.trim() !== q) return;
        results = res.body.results || []; active = -1; renderSuggestions();
      });
    }, 180);
  });
  addressInput.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { active = Math.min(active + 1, results.length - 1); renderSuggestions(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); renderSuggestions(); e.preventDefault(); }
    else if (e.key === "Enter" && active >= 0) { pick(results[active]); e.preventDefault(); }
    else if (e.key === "Escape") { results = []; renderSuggestions(); }
  });
  addressInput.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 150); });

  /* ---- topic picker ---- */
  var picker = $("topic-picker"), groupsBox = $("topic-groups"), topicList = $("topic-list"), search = $("topic-search");
  var groups = [];
  topics.forEach(function (t) { if (groups.indexOf(t.group) < 0) groups.push(t.group); });
  var currentGroup = null;
  function renderTopics() {
    var q = search.value.trim().toLowerCase().replace(/ё/g, "е");
    topicList.innerHTML = "";
    topics.filter(function (t) {
      if (q) return t.name.toLowerCase().replace(/ё/g, "е").indexOf(q) >= 0;
      return t.group === currentGroup;
    }).forEach(function (t) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "topic" + (String(t.id) === topicSelect.value ? " chosen" : "");
      b.textContent = t.name;
      b.dataset.topicId = t.id;
      b.addEventListener("click", function () { topicSelect.value = t.id; topicChanged(); renderTopics(); });
      li.appendChild(b);
      topicList.appendChild(li);
    });
  }
  groups.forEach(function (g) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn secondary group";
    b.textContent = g;
    b.addEventListener("click", function () {
      currentGroup = g; search.value = "";
      Array.prototype.forEach.call(groupsBox.children, function (c) { c.classList.toggle("chosen", c === b); });
      renderTopics();
    });
    groupsBox.appendChild(b);
  });
  search.addEventListener("input", renderTopics);
  picker.hidden = false;

  function topicChanged() {
    var t = currentTopic();
    $("topic-hint").textContent = t ? t.hint : "";
    $("building-note").hidden = !(t && t.needs_building);
    /* The chosen topic's extra questions only (without JavaScript all are shown). */
    Array.prototype.forEach.call(document.querySelectorAll(".topic-questions"), function (fs) {
      fs.hidden = !(t && String(t.id) === fs.getAttribute("data-topic"));
    });
    checkDuplicates();
  }
  topicSelect.addEventListener("change", function () { topicChanged(); renderTopics(); });
  if (!topicSelect.value) {
    Array.prototype.forEach.call(document.querySelectorAll(".topic-questions"), function (fs) { fs.hidden = true; });
  }
  if (topicSelect.value) { var t0 = currentTopic(); if (t0) currentGroup = t0.group; topicChanged(); renderTopics(); }

  /* ---- duplicate hint ---- */
  function checkDuplicates() {
    var t = currentTopic();
    if (!t || !latInput.value) { $("duplicates").hidden = true; return; }
    getJSON(urls.nearby, {topic: t.id, lat: latInput.value, lon: lonInput.value}).then(function (res) {
      var items = (res.body.results || []);
      var ul = $("duplicate-list");
      ul.innerHTML = "";
      items.forEach(function (r) {
        var li = document.createElement("li");
        li.innerHTML = '<a href="' + r.url + '" target="_blank">№' + r.id + " " + escapeHtml(r.topic) + "</a> — " +
          escapeHtml(r.address || "") + ' <span class="status">' + escapeHtml(r.status) + "</span> ";
        if (r.followed) {
          li.insertAdjacentHTML("beforeend", '<span class="muted">вы следите</span>');
        } else {
          var f = document.createElement("form");
          f.method = "post"; f.action = r.follow_url; f.className = "inline";
          f.innerHTML = '<input type="hidden" name="csrfmiddlewaretoken" value="' + escapeHtml(csrf()) + '">' +
            '<button type="submit" class="linkish">Следить за этим сообщением</button>';
          li.appendChild(f);
        }
        ul.appendChild(li);
      });
      $("duplicates").hidden = items.length === 0;
    });
  }

  /* ---- photo GPS ---- */
  var photoInput = form.querySelector("[name=photos]");
  photoInput.addEventListener("change", function () {
    var box = $("photo-gps");
    box.hidden = true;
    var file = photoInput.files[0];
    if (!file) return;
    var data = new FormData();
    data.append("photo", file);
    fetch(urls.photoGps, {method: "POST", body: data, credentials: "same-origin", headers: {"X-CSRFToken": csrf()}})
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.error) { box.textContent = body.error; box.className = "place-info error"; box.hidden = false; return; }
        if (!body.gps) return;
        box.className = "place-info";
        box.innerHTML = "В фото записано место съёмки. ";
        var b = document.createElement("button");
        b.type = "button"; b.className = "btn secondary"; b.textContent = "Поставить метку туда";
        b.addEventListener("click", function () { setPoint(body.gps.lat, body.gps.lon, {fromMap: true, zoom: true}); box.hidden = true; });
        box.appendChild(b);
        box.hidden = false;
      });
  });

  /* ---- a second click does not send twice (the server also refuses) ---- */
  form.addEventListener("submit", function () {
    var b = $("submit-report");
    setTimeout(function () { b.disabled = true; b.textContent = "Отправляем…"; }, 0);
  });
})();
