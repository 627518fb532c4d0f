// The opportunities pages' script (no inline scripts: the Content-Security-Policy forbids them).
//
// 1. Maps: every .opportunity-map gets a Leaflet map with one marker per entry of the JSON block
//    named by its data-markers (made by Django's json_script). Tiles load only when the page
//    gives a data-tile-url (MAP_TILE_URL); without tiles, or when they fail, the markers still
//    show on a plain background. The map is aria-hidden and takes no keyboard focus: the list
//    (or the address) beside it is the accessible equivalent, so every link and button Leaflet
//    adds is taken out of the tab order.
// 2. "Copy link" buttons (data-copy-target): shown only when the clipboard can be used.
// 3. On a phone the filter panel starts folded so the results are near the top.
(function () {
  "use strict";

  function quietFocus(container) {
    container.querySelectorAll("a, button, input, [tabindex]").forEach(function (element) {
      element.setAttribute("tabindex", "-1");
    });
  }

  function popupFor(marker) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = marker.title;
    link.setAttribute("tabindex", "-1");
    box.appendChild(link);
    if (marker.place) {
      var place = document.createElement("div");
      place.textContent = marker.place;
      box.appendChild(place);
    }
    return box;
  }

  function drawMap(container) {
    if (typeof window.L === "undefined") return;
    var source = document.getElementById(container.getAttribute("data-markers"));
    if (!source) return;
    var markers;
    try {
      markers = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    if (!markers.length) return;
    var L = window.L;
    // Shown before Leaflet measures it: a hidden container has no size to fit the markers in.
    container.classList.add("is-drawn");
    var map = L.map(container, {
      keyboard: false,
      scrollWheelZoom: false,
      attributionControl: false,
      zoomControl: true,
    });
    var tileUrl = container.getAttribute("data-tile-url");
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(map);
    }
    var brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim();
    var points = [];
    markers.forEach(function (marker) {
      var point = [marker.lat, marker.lng];
      points.push(point);
      L.circleMarker(point, {
        radius: 9,
        weight: 2,
        color: "#ffffff",
        fillColor: brand || "#1d4ed8",
        fillOpacity: 0.95,
        keyboard: false,
      })
        .bindPopup(popupFor(marker))
        .addTo(map);
    });
    if (points.length === 1) {
      map.setView(points[0], 15);
    } else {
      map.fitBounds(points, { paddingTopLeft: [56, 40], paddingBottomRight: [32, 32], maxZoom: 15 });
    }
    quietFocus(container);
    new MutationObserver(function () { quietFocus(container); }).observe(container, {
      childList: true,
      subtree: true,
    });
  }

  function setUpCopy(button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.querySelector(
      '[data-copy-status="' + button.getAttribute("data-copy-target") + '"]'
    );
    if (!input || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(
        function () { if (status) status.textContent = "Link copied."; },
        function () {
          input.select();
          if (status) status.textContent = "Select the link and copy it.";
        }
      );
    });
  }

  function foldFiltersOnPhones() {
    var panel = document.getElementById("discover-filters");
    if (panel && window.matchMedia("(max-width: 47.99rem)").matches) {
      panel.open = false;
    }
  }

  document.querySelectorAll(".opportunity-map").forEach(drawMap);
  document.querySelectorAll("[data-copy-target]").forEach(setUpCopy);
  foldFiltersOnPhones();
})();
