package dev.chorus.container;

import dev.chorus.container.Workarounds.Workaround;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes the idle-timeout reschedule off every frame on Tyrus (Payara). Tyrus 2.1.x reschedules a
 * session's idle-timeout task for every frame sent and received, even when the session has no
 * idle timeout (TYRUS-310, eclipse-ee4j/tyrus#487: the task then runs at once and does nothing).
 * It schedules on the server's default managed scheduled executor, and Payara's context capture
 * for it walks the class path with a ServiceLoader on every call: measured, 70% of a broadcasting
 * node's CPU. No setting reaches this (the JNDI name is fixed, and the context capture ignores
 * {@code context-info}), so the container's executor is wrapped: a task scheduled with no delay,
 * which can only be that empty idle-timeout check, is answered with an already finished future;
 * everything else goes to the container's executor as before. Sessions read the executor when
 * they open, so this runs before any client connects (listeners start after the container's
 * initializers). On any other container it changes nothing and says so at FINE; on a Tyrus laid
 * out differently, or a JDK that refuses the write ({@link #skipImmediateSchedules}), it changes
 * nothing and reports the fallback ({@link Workarounds}).
 */
@WebListener
public class TyrusIdleTimerFix implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(TyrusIdleTimerFix.class.getName());
    private static final String SERVER_CONTAINER = "jakarta.websocket.server.ServerContainer";
    private static final String EXECUTOR_FIELD = "managedScheduledExecutorService";

    @Override
    public void contextInitialized(ServletContextEvent started) {
        Object container = started.getServletContext().getAttribute(SERVER_CONTAINER);
        // Listeners run before any filter or connection: the first place that knows the server.
        Workarounds.ON_THIS_SERVER.runOn(started.getServletContext().getServerInfo(), container);
        skipImmediateSchedules(container, WebSocketImplementation.of(container), Workarounds.ON_THIS_SERVER);
    }

    /**
     * Wraps the managed scheduled executor of a Tyrus container, reporting to {@code workarounds}
     * whether it could.
     * <p>
     * The field is {@code private final}. JDK 26 (JEP 500) prints a warning, once, on the first
     * write of a final field by reflection, and refuses it where the JVM runs with
     * {@code --illegal-final-field-mutation=deny}, the default JEP 500 announces for a later JDK.
     * Refused, {@code Field.set} throws {@code IllegalAccessException}: the executor stays the
     * container's, the workaround is reported fallen back, and every frame costs the reschedule
     * again. {@code --enable-final-field-mutation=ALL-UNNAMED} lets it through
     * (server-config/README.md).
     */
    static void skipImmediateSchedules(Object container, WebSocketImplementation implementation, Workarounds workarounds) {
        if (implementation != WebSocketImplementation.TYRUS) {
            LOG.log(Level.FINE, "Not Tyrus ({0}): nothing to fix", container);
            return;
        }
        try {
            Field field = executorField(container);
            ScheduledExecutorService managed = (ScheduledExecutorService) field.get(container);
            if (managed == null) {
                LOG.log(Level.FINE, "Tyrus schedules without a managed executor: nothing to fix");
                return;
            }
            if (!Proxy.isProxyClass(managed.getClass())) {
                // Else another deployment of Chorus wrapped it already: one wrapper is enough.
                field.set(container, skippingImmediateTasks(managed));
            }
            workarounds.active(Workaround.TYRUS_IDLE_TIMER);
            LOG.info("Tyrus idle-timeout reschedules with no timeout are skipped (TYRUS-310); see server-config/README.md");
        } catch (ReflectiveOperationException | RuntimeException e) {
            workarounds.fellBack(Workaround.TYRUS_IDLE_TIMER, ContainerSocket.why(e));
        }
    }

    /**
     * Puts the container's own executor back: the wrapper is of this application's classes, and
     * the container must hold none of them once the application is gone.
     */
    @Override
    public void contextDestroyed(ServletContextEvent stopping) {
        Object container = stopping.getServletContext().getAttribute(SERVER_CONTAINER);
        if (WebSocketImplementation.of(container) != WebSocketImplementation.TYRUS) {
            return;
        }
        try {
            Field field = executorField(container);
            if (skipping(field.get(container)) instanceof SkippingImmediateTasks wrapper) {
                field.set(container, wrapper.managed);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "Could not put Tyrus's executor back", e);
        }
    }

    /** The container's field holding its managed scheduled executor, made accessible. */
    private static Field executorField(Object container) throws NoSuchFieldException {
        for (Class<?> type = container.getClass(); type != null; type = type.getSuperclass()) {
            try {
                Field field = type.getDeclaredField(EXECUTOR_FIELD);
                if (ScheduledExecutorService.class.isAssignableFrom(field.getType())) {
                    field.setAccessible(true);
                    return field;
                }
            } catch (NoSuchFieldException e) {
                // Declared higher up, maybe.
            }
        }
        throw new NoSuchFieldException(container.getClass().getName() + " has no ScheduledExecutorService " + EXECUTOR_FIELD);
    }

    /** The invocation handler of a wrapper of this class's making, else null. */
    private static Object skipping(Object executor) {
        return executor != null && Proxy.isProxyClass(executor.getClass()) ? Proxy.getInvocationHandler(executor) : null;
    }

    /** The executor, but a {@code schedule} with a delay of zero or less returns a finished future. */
    static ScheduledExecutorService skippingImmediateTasks(ScheduledExecutorService managed) {
        return (ScheduledExecutorService) Proxy.newProxyInstance(TyrusIdleTimerFix.class.getClassLoader(),
                new Class<?>[] {ScheduledExecutorService.class}, new SkippingImmediateTasks(managed));
    }

    /** Answers an immediate schedule with a finished future and hands everything else to the container's executor. */
    private record SkippingImmediateTasks(ScheduledExecutorService managed) implements InvocationHandler {

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (isImmediateSchedule(method, args)) {
                return Finished.INSTANCE;
            }
            try {
                return method.invoke(managed, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    private static boolean isImmediateSchedule(Method method, Object[] args) {
        return method.getName().equals("schedule") && args.length == 3 && args[0] instanceof Runnable
                && ((Long) args[1]) <= 0;
    }

    /** A task that had nothing to do, done. */
    private static final class Finished implements ScheduledFuture<Object> {

        static final Finished INSTANCE = new Finished();

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
