// Postman puts a variable's value into the URL as it stands: encode the use
// case's values here, so that a '&' or '#' in one stays inside it.
function encoded(text) {
  return text.replace(/\{\{([a-z][a-z0-9_]*)\}\}/g, function (whole, name) {
    return encodeURIComponent(pm.variables.get(name));
  });
}
pm.request.url.path = pm.request.url.path.map(encoded);
pm.request.url.query.each(function (param) {
  if (param.value) {
    param.value = encoded(param.value);
  }
});
