package dev.chorus.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** REST resources live under {@code /chorus/api}. */
@ApplicationPath("api")
public class ChorusApi extends Application {
}
