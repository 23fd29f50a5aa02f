// The envtest servers share the framework's loopback HTTP listener.
export { type HttpListener, listen, readBody, type RequestHandler } from '../src/net/http-listener.js';
