package dev.chorus.api;

import dev.chorus.config.ChatConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Asks the application's {@link RoomPolicy}, if it has one (a bean, or a backend over HTTP); a policy that throws refuses. */
@ApplicationScoped
public class Policies {

    private static final Logger LOG = Logger.getLogger(Policies.class.getName());

    /** No policy: everything is allowed. */
    public static final Policies NONE = new Policies((RoomPolicy) null);

    private final RoomPolicy policy;

    /** The deployment's policy bean if it has one, else the backend at {@code chorus.policy.url} if set, else none. */
    @Inject
    public Policies(Instance<RoomPolicy> policies, ChatConfiguration configuration) {
        this(policies.isResolvable() ? policies.get()
                : configuration.policyBackend().url().isBlank() ? null
                : new PolicyBackend(configuration.policyBackend(), configuration.webhook().secret()));
    }

    /** Asking this policy (null: none). */
    public Policies(RoomPolicy policy) {
        this.policy = policy;
    }

    /** For the container's client proxy only. */
    protected Policies() {
        this((RoomPolicy) null);
    }

    public RoomPolicy.Verdict mayJoin(String room, String user) {
        return policy == null ? RoomPolicy.Verdict.ALLOW : ask(() -> policy.mayJoin(room, user));
    }

    public RoomPolicy.Verdict mayPost(String room, String member, String text) {
        return policy == null ? RoomPolicy.Verdict.ALLOW : ask(() -> policy.mayPost(room, member, text));
    }

    private static RoomPolicy.Verdict ask(Supplier<RoomPolicy.Verdict> question) {
        try {
            RoomPolicy.Verdict verdict = question.get();
            return verdict != null ? verdict : RoomPolicy.Verdict.refuse("the room policy gave no answer");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "The room policy failed; refusing, as a policy that cannot answer must", e);
            return RoomPolicy.Verdict.refuse("the room policy could not decide");
        }
    }
}
