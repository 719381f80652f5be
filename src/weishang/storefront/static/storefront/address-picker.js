// The address picker without a page round-trip: choosing a province lists its cities, choosing a
// city lists its districts. Without this script the "show" button does the same on the server.
(function () {
  "use strict";
  var form = document.getElementById("address-form");
  if (!form) {
    return;
  }
  var province = form.querySelector("[data-picker-level=province]");
  var city = form.querySelector("[data-picker-level=city]");
  var district = form.querySelector("[data-picker-level=district]");
  form.querySelector("[data-picker-refresh]").hidden = true;

  function fill(select, parent) {
    while (select.options.length > 1) {
      select.remove(1);
    }
    if (!parent) {
      return Promise.resolve();
    }
    var url = form.dataset.childrenUrl + "?parent=" + encodeURIComponent(parent);
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        data.children.forEach(function (child) {
          select.add(new Option(child[1], child[0]));
        });
      });
  }

  province.addEventListener("change", function () {
    fill(district, "");
    fill(city, province.value);
  });
  city.addEventListener("change", function () {
    fill(district, city.value);
  });
})();
