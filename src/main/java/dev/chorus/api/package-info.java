/**
 * REST and metrics: counts, health, settings, a room's members and the operator's reconnect, for
 * operators, monitoring and the tests that must see the node from outside.
 */
package dev.chorus.api;
