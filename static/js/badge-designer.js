// The badge designer's live preview: when a design choice changes, ask the server for the SVG
// of the new choices. Without this script the preview shows the choices as last submitted.
(function () {
  "use strict";
  var form = document.getElementById("badge-class-form");
  var preview = document.getElementById("badge-design-preview");
  if (!form || !preview) {
    return;
  }
  var base = preview.getAttribute("data-preview-base");

  function checked(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function value(name) {
    var input = form.elements.namedItem(name);
    return input && "value" in input ? input.value : "";
  }

  function update() {
    var params = new URLSearchParams({
      shape: checked("design_shape"),
      icon: checked("design_icon"),
      title: value("design_title") || value("name"),
      level: checked("level"),
      colour: value("image_colour"),
    });
    preview.src = base + "?" + params.toString();
  }

  var timer = null;
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 250);
  });
  form.addEventListener("change", update);
})();
