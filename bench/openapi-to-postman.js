// openapi-to-postmanv2 converting the equivalent OpenAPI document into a
// Postman collection, written to the file named by the second argument.
const fs = require('fs');
const converter = require('openapi-to-postmanv2');

const [input, output] = process.argv.slice(2);
converter.convert({ type: 'string', data: fs.readFileSync(input, 'utf8') }, {}, (err, result) => {
  if (err || !result.result) {
    console.error(err || result.reason);
    process.exit(1);
  }
  fs.writeFileSync(output, JSON.stringify(result.output[0].data, null, 2));
});
