/**
 * REST view of the running registry, for operators and for tests that must see it from outside.
 */
package dev.chorus.api;
