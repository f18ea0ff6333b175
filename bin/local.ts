// Local endpoint (`npm start`): built in the HTTP API issue. Until then it says so plainly.
console.log('npm start: the local SCIM endpoint is not built yet (see the HTTP API issue). Run `npm test` for the SCIM core.');
