// bizdesk web desk: small progressive enhancements; every page works without script.

// dashboards (/dash): a page with data-live="/dash/version?…" asks every 15 s whether its
// numbers changed (a short hash) and reloads itself when they did. Stops when hidden.
(function () {
  var live = document.querySelector('[data-live]');
  if (!live || !window.fetch) { return; }
  var url = live.getAttribute('data-live');
  var seen = live.getAttribute('data-version');
  function poll() {
    if (document.hidden) { return; }
    fetch(url, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (v) {
        if (v && seen && v.trim() !== seen) {
          var note = document.getElementById('dash-updated');
          if (note) { note.hidden = false; }
          window.location.reload();
        }
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  setInterval(poll, 15000);
})();
