// A classic script (not a module), so that it runs even when the page's modules fail to load:
// the socket.io-client bundle comes from web/node_modules, which scripts/setup.sh installs.
window.addEventListener('load', function () {
  if (window.czMessengerStarted) return;
  var box = document.getElementById('fatal');
  box.textContent =
    'The page could not start: its scripts did not load (is web/node_modules installed? ' +
    'Run scripts/setup.sh, then reload). The browser console has the details.';
  box.hidden = false;
});
