package dev.chorus.container;

import java.lang.reflect.Field;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes the application's class loader out of the threads that outlive it. A thread keeps the
 * context class loader and the access control context (every protection domain on the stack,
 * each holding its class loader) of the thread that created it; when a container's pool starts a
 * thread while Chorus code is on the stack (Payara's async pool, handed a read callback from a
 * Chorus reader thread), that pool thread holds the undeployed application for as long as the
 * pool keeps it. Called last at undeploy, when Chorus' own threads have nothing left to do: each
 * idle pool thread (waiting in a JDK thread pool for its next task, or in WildFly's worker pool,
 * two of whose idle threads were found holding Chorus as their context class loader minutes after
 * an undeploy) whose context class loader is this application's gets that loader's parent
 * instead, and loses the access control context it inherited, which was taken on a stack of this
 * application's (no security manager reads it).
 * Only idle pool threads: a thread at work may be the container's, undeploying this application
 * with its class loader as context. The access control context needs {@code java.lang} opened to
 * the application, as Payara Server does; elsewhere only the class loaders are reset.
 */
public final class ThreadReferences {

    private static final Logger LOG = Logger.getLogger(ThreadReferences.class.getName());
    /** How a WildFly worker (JBoss Threads) waits for its next task; named, as the class is not the application's to load. */
    static final String JBOSS_POOL_THREAD = "org.jboss.threads.EnhancedQueueExecutor$PoolThreadNode";

    private ThreadReferences() {
    }

    /** Takes {@code application} out of every idle pool thread; returns how many held it. */
    public static int release(ClassLoader application) {
        Field inherited = inheritedContextField();
        int held = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread == Thread.currentThread() || thread.getContextClassLoader() != application || !isIdleInPool(thread)) {
                continue;
            }
            held++;
            try {
                thread.setContextClassLoader(application.getParent());
                if (inherited != null) {
                    inherited.set(thread, null);
                }
            } catch (IllegalAccessException | RuntimeException e) {
                LOG.log(Level.FINE, "Cannot take the application out of thread " + thread.getName(), e);
            }
        }
        if (held > 0) {
            LOG.log(Level.INFO, "Took this application''s class loader out of {0} idle pool threads", held);
        }
        return held;
    }

    /** Whether the thread is a JDK pool's or WildFly's pool's worker waiting for its next task. */
    static boolean isIdleInPool(Thread thread) {
        return isIdleInPool(thread.getStackTrace());
    }

    /**
     * Whether a thread of this stack is waiting for its next task in a JDK pool (in
     * {@code getTask}) or in JBoss Threads' pool, WildFly's workers (parked as a pool thread
     * node), which a task at work never is.
     */
    static boolean isIdleInPool(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            if (frame.getMethodName().equals("getTask") && frame.getClassName().equals(ThreadPoolExecutor.class.getName())
                    || frame.getMethodName().equals("park") && frame.getClassName().equals(JBOSS_POOL_THREAD)) {
                return true;
            }
        }
        return false;
    }

    private static Field inheritedContextField() {
        try {
            Field field = Thread.class.getDeclaredField("inheritedAccessControlContext");
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException | RuntimeException e) {
            // Not there (a later JDK), or java.lang not opened to this application.
            LOG.log(Level.FINE, "Threads' inherited access control contexts cannot be changed here", e);
            return null;
        }
    }
}
