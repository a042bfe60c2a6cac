package dev.chorus.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

/** A resource of the application API: what it acts through, and who may call it ({@link ApiAccess}). */
abstract class GuardedResource {

    @Inject
    ServerMessages messages;

    @Inject
    ApiAccess access;

    @Context
    HttpHeaders headers;

    @Context
    SecurityContext security;

    /** Null if the caller may use the API, else the answer (401 or 403). */
    Response refusal() {
        return access.refusal(headers, security);
    }
}
