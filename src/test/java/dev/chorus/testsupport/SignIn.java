package dev.chorus.testsupport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.authentication.mechanism.http.BasicAuthenticationMechanismDefinition;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import java.util.Map;
import java.util.Set;

/**
 * HTTP Basic sign-in with Jakarta Security, for the deployment that tests authentication: the
 * same on both servers, where each server's own user store would need its own tooling. Not part
 * of Chorus: an operator chooses the server's mechanism (see the README).
 */
@BasicAuthenticationMechanismDefinition(realmName = "chorus")
@ApplicationScoped
public class SignIn implements IdentityStore {

    /** The test users and their passwords. */
    public static final Map<String, String> USERS = Map.of("alice", "wonderland-1", "bob", "builder-2");

    @Override
    public CredentialValidationResult validate(Credential credential) {
        if (credential instanceof UsernamePasswordCredential login
                && login.getPasswordAsString().equals(USERS.get(login.getCaller()))) {
            // alice may also publish over HTTP (the role dev.chorus.api.ApiAccess names).
            return new CredentialValidationResult(login.getCaller(),
                    login.getCaller().equals("alice") ? Set.of("chat", "chorus-publisher") : Set.of("chat"));
        }
        return CredentialValidationResult.INVALID_RESULT;
    }
}
