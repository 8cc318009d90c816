// Polls the invoice's status endpoint (long poll) and reloads the page when
// the invoice is paid or expires: the page then shows what comes next. The
// page works without this script by reloading it.
(function () {
  "use strict";
  var box = document.getElementById("paywall-status");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-status-url") + "?wait=25";
  function again(delay) {
    window.setTimeout(poll, delay);
  }
  function poll() {
    window.fetch(url, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 404) {
          window.location.reload();
          return null;
        }
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (reply) {
        if (!reply) {
          return;
        }
        if (reply.status === "unpaid") {
          again(1000);
          return;
        }
        window.location.reload();
      })
      .catch(function () {
        box.textContent = "Waiting for your payment (the shop is not answering; retrying). You can also reload this page.";
        again(5000);
      });
  }
  poll();
})();
