// A use case's request runs only when its values are set.
const missing = config.needs.filter((n) => !bru.getVar(n) && !bru.getEnvVar(n));
if (missing.length) {
  console.log("Skipped: " + missing.join(" and ") + " not set.");
  bru.runner.skipRequest();
}
// Bruno puts a variable's value into the URL as it stands: encode the use
// case's values, so that a '&' or '#' in one stays inside it.
let url = req.getUrl();
config.needs.forEach((n) => {
  url = url.split("{{" + n + "}}").join(encodeURIComponent(bru.getVar(n) ?? bru.getEnvVar(n)));
});
req.setUrl(url);
