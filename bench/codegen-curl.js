// The guide's two requests through Postman's own curl generator
// (postman-code-generators), printed as the curl commands coupagen writes.
const codegen = require('postman-code-generators');
const { Request } = require('postman-collection');

const domain = 'moveworks-usa-coupalink-demo.coupacloud.com';
const requests = [
  new Request({
    url: `https://${domain}/oauth2/token`,
    method: 'POST',
    header: [{ key: 'Content-Type', value: 'application/x-www-form-urlencoded' }],
    body: {
      mode: 'urlencoded',
      urlencoded: [
        { key: 'grant_type', value: 'client_credentials' },
        { key: 'client_id', value: '{{Identifier}}' },
        { key: 'client_secret', value: '{{Secret}}' },
        { key: 'scope', value: 'core.expense.read' },
      ],
    },
  }),
  new Request({
    url: `https://${domain}/api/expense_reports?limit=1`,
    method: 'GET',
    header: [
      { key: 'Accept', value: 'application/json' },
      { key: 'Authorization', value: 'Bearer {{generated_bearer_token}}' },
    ],
  }),
];

(async () => {
  for (const request of requests) {
    // The token request's form holds the secret: no redirect may carry it on.
    const followRedirect = request.method !== 'POST';
    const snippet = await new Promise((resolve, reject) =>
      codegen.convert('curl', 'cURL', request, { multiLine: true, longFormat: true, followRedirect }, (err, s) =>
        err ? reject(err) : resolve(s)));
    process.stdout.write(snippet + '\n\n');
  }
})();
