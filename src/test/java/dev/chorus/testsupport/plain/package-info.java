/**
 * A plain WAR of one CDI bean and one WebSocket endpoint, holding nothing of the container's: the
 * control a leak test deploys beside Chorus, so that what the server itself keeps after an
 * undeploy is told apart from what Chorus keeps.
 */
package dev.chorus.testsupport.plain;
