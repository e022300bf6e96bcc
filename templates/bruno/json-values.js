// Bruno pastes a variable's text into the body as it stands, and then
// resolves any {{name}} in it: write each value as JSON first, so a '"' or
// '\' stays inside its string, with every '{' as \u007b (the same to JSON,
// no variable to Bruno); a number or boolean lands as itself.
config.jsonValues.forEach((v) => {
  const value = String(bru.getVar(v.name) ?? bru.getEnvVar(v.name));
  if (v.typed && !/^(-?(0|[1-9][0-9]*)(\.[0-9]+)?|true|false)$/.test(value)) {
    throw new Error(v.name + " is a number or true or false, not " + JSON.stringify(value));
  }
  bru.setVar(v.variable, v.typed ? value : JSON.stringify(value).replace(/\{/g, "\\u007b"));
});
