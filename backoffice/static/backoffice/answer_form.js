// The answer form's response templates: choosing one fills the outcome and
// the text at once (the «Подставить шаблон» button does it without JavaScript).
(function () {
  "use strict";
  var data = document.getElementById("response-templates");
  var select = document.getElementById("id_template");
  var text = document.getElementById("id_text");
  if (!data || !select || !text) return;
  var templates = JSON.parse(data.textContent);
  var button = document.getElementById("use-template");
  if (button) button.style.display = "none";
  select.addEventListener("change", function () {
    var chosen = templates[select.value];
    if (!chosen) return;
    if (text.value.trim() && text.value !== chosen.text &&
        !window.confirm("Заменить набранный текст текстом шаблона?")) return;
    text.value = chosen.text;
    var radio = document.querySelector('input[name="outcome"][value="' + chosen.outcome + '"]');
    if (radio) radio.checked = true;
    text.focus();
  });
})();
