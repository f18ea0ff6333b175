/**
 * The env var naming each connector's token secret (`{ "<connector>": "<secret name or ARN>" }`),
 * set by the CDK stack on the authorizer and the token-age check. Its own module so the token-age
 * function can read it without importing the token schema (zod) through token-source.ts.
 */
export const TOKEN_SECRETS_ENV = 'SCIM_TOKEN_SECRETS';

/**
 * A connector's token secret name, `<prefix><connector>/token` with the prefix `<stack>/` (the
 * stack names them so; the setup page and the local fallback derive them the same way).
 */
export function tokenSecretName(prefix: string, connector: string): string {
  return `${prefix}${connector}/token`;
}
