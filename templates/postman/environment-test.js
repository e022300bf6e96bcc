// After every request, in its test results: which environment to select, or
// which of its values to fill in.
if (environmentMissing.length) {
  pm.test('the environment is selected', function () { throw new Error(selectEnvironment); });
} else if (environmentEmpty.length) {
  pm.test('the environment is filled in', function () { throw new Error(fillEnvironment); });
}
