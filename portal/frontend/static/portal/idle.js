// Staff sessions end after a time without activity (StaffIdleTimeoutMiddleware). Before that, show the
// notice with a "stay signed in" button; when the time is up, reload: the server shows the sign-in page.
(function () {
  var notice = document.getElementById("idle-notice");
  if (!notice) return;
  var idle = Number(notice.dataset.idleSeconds) * 1000;
  var warning = Number(notice.dataset.warningSeconds) * 1000;
  var timers = [];

  function schedule() {
    timers.forEach(clearTimeout);
    notice.hidden = true;
    timers = [
      setTimeout(function () { notice.hidden = false; }, Math.max(idle - warning, 0)),
      setTimeout(function () { window.location.reload(); }, idle + 1000),
    ];
  }

  document.getElementById("idle-notice-continue").addEventListener("click", function () {
    fetch(notice.dataset.keepAliveUrl, { credentials: "same-origin" }).then(schedule);
  });
  schedule();
})();
