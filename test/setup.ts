// Loaded by mocha before every spec: decorator metadata for inversify.
import 'reflect-metadata';
