// Names of items in the app's secret store ({"keychain": "<name>"}). No imports, so the renderer
// can check a name with the same rule the config schema uses.
export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
