package dev.chorus.container;

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
 * initializers). On any other container, or a Tyrus laid out differently, it changes nothing and
 * says so at FINE.
 */
@WebListener
public class TyrusIdleTimerFix implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(TyrusIdleTimerFix.class.getName());
    private static final String SERVER_CONTAINER = "jakarta.websocket.server.ServerContainer";
    private static final String BASE_CONTAINER = "org.glassfish.tyrus.core.BaseContainer";
    private static final String EXECUTOR_FIELD = "managedScheduledExecutorService";

    @Override
    public void contextInitialized(ServletContextEvent started) {
        Object container = started.getServletContext().getAttribute(SERVER_CONTAINER);
        Field field = executorField(container);
        if (field == null) {
            LOG.log(Level.FINE, "Not Tyrus with a managed scheduler ({0}): nothing to fix", container);
            return;
        }
        try {
            field.setAccessible(true);
            ScheduledExecutorService managed = (ScheduledExecutorService) field.get(container);
            if (managed == null || Proxy.isProxyClass(managed.getClass())) {
                return;
            }
            field.set(container, skippingImmediateTasks(managed));
            LOG.info("Tyrus idle-timeout reschedules with no timeout are skipped (TYRUS-310); see server-config/README.md");
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, "Could not take Tyrus's idle-timeout reschedule off each frame; sends stay slow", e);
        }
    }

    /**
     * Puts the container's own executor back: the wrapper is of this application's classes, and
     * the container must hold none of them once the application is gone.
     */
    @Override
    public void contextDestroyed(ServletContextEvent stopping) {
        Object container = stopping.getServletContext().getAttribute(SERVER_CONTAINER);
        Field field = executorField(container);
        if (field == null) {
            return;
        }
        try {
            field.setAccessible(true);
            Object wrapper = field.get(container);
            if (wrapper != null && Proxy.isProxyClass(wrapper.getClass())
                    && Proxy.getInvocationHandler(wrapper) instanceof SkippingImmediateTasks skipping) {
                field.set(container, skipping.managed);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "Could not put Tyrus's executor back", e);
        }
    }

    private static Field executorField(Object container) {
        for (Class<?> type = container == null ? null : container.getClass(); type != null; type = type.getSuperclass()) {
            if (type.getName().equals(BASE_CONTAINER)) {
                try {
                    Field field = type.getDeclaredField(EXECUTOR_FIELD);
                    return ScheduledExecutorService.class.isAssignableFrom(field.getType()) ? field : null;
                } catch (NoSuchFieldException e) {
                    return null;
                }
            }
        }
        return null;
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
