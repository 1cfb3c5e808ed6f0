// Swagger UI on the server's own OpenAPI document. "Authorize" takes the admin key for "Try it
// out"; Swagger UI keeps it in memory only (persistAuthorization off).
window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: false,
  tryItOutEnabled: false
});
