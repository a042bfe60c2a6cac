/**
 * What the tests share: fake peers for server-less registry tests, the deployment of the built
 * WAR and WebSocket clients for the Arquillian tests.
 */
package dev.chorus.testsupport;
