// The "Print" button of the referral sheet: shown only when scripts run (without them, the
// page says to use the browser's Print command), it opens the print dialog.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
