// Fills the time zone field from the browser, unless the patient changed it. The form works
// without this script: the field then keeps the clinic's time zone, and can be edited.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  var field = document.getElementById("timezone");
  if (zone && field && field.value === field.getAttribute("data-default")) { field.value = zone; }
}());
