/**
 * Where Chorus works round what a container does wrong, each fix named after the defect, guarded
 * so that it does nothing on a container without that defect, and logged when it takes effect.
 * Each reports to {@link dev.chorus.container.Workarounds} whether it took effect or fell back:
 * they reach into container fields by name, and a container update can move one.
 */
package dev.chorus.container;
