package dev.chorus.testsupport;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Shows the test what {@link SlowObserver} has seen: room:id, comma-separated. */
@WebServlet("/test/observed")
public class ObservedServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    private transient SlowObserver observer;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().print(String.join(",", observer.seen()));
    }
}
