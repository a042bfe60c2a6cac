package dev.chorus.testsupport;

import dev.chorus.api.ServerMessages;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A bean of the application, as a team adds its own to the WAR: it injects {@link ServerMessages}
 * and publishes {@code text} into {@code room}, answering with the id it was given.
 */
@WebServlet("/test/publish")
public class PublishingServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    private transient ServerMessages messages;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long id = messages.publish(request.getParameter("room"), "backend", request.getParameter("text")).id();
        response.setContentType("text/plain");
        response.getWriter().print(id);
    }
}
