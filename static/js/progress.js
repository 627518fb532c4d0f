// Bulk issue progress: polls the JSON status every 2 s and updates the <progress> bar and its
// text; reloads the page once the run is done. Without JS the page's "Refresh" link does the job.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) return;
  var bar = document.getElementById("bulk-progress-bar");
  var text = document.getElementById("bulk-progress-text");
  function poll() {
    fetch(box.getAttribute("data-status-url"), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.max = data.to_issue;
        bar.value = data.finished;
        bar.textContent = data.percent + "%";
        if (data.status === "done") {
          window.location.reload();
          return;
        }
        text.textContent = data.issued + " of " + data.to_issue + " awarded" +
          (data.refused ? ", " + data.refused + " refused" : "") + " so far.";
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
