/** Reported by GET /api/v1/health and in the OpenAPI document. */
export const HUB_VERSION = '0.1.0';
