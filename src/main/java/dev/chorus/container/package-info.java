/**
 * Where Chorus works round what a container does wrong, each fix named after the defect, guarded
 * so that it does nothing on a container without that defect, and logged when it takes effect.
 */
package dev.chorus.container;
