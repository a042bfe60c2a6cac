/** Settings read through MicroProfile Config, with the defaults documented in the README. */
package dev.chorus.config;
