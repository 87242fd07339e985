/* Search box suggestions: fills the <datalist> of `input[data-suggest-url]` with matching titles
 * from the JSON endpoint (/recherche/suggestions?q=). The page works without it. */
(function () {
  "use strict";

  var input = document.querySelector("input[data-suggest-url]");
  if (!input || !window.fetch) return;
  var list = document.getElementById(input.getAttribute("list"));
  if (!list) return;
  var timer = null;
  var controller = null;

  function fill(suggestions) {
    var options = suggestions.map(function (item) {
      var option = document.createElement("option");
      option.value = item.title;
      option.label = item.kind_label;
      return option;
    });
    list.replaceChildren.apply(list, options);
  }

  function fetchSuggestions() {
    var query = input.value.trim();
    if (query.length < 2) {
      fill([]);
      return;
    }
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    var url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(query);
    fetch(url, {
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      })
      .then(function (data) {
        fill(data.suggestions || []);
      })
      .catch(function () {
        /* Aborted or offline: keep the current suggestions. */
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(fetchSuggestions, 200);
  });
})();
