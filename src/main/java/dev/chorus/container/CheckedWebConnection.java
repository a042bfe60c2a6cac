package dev.chorus.container;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;

/**
 * The upgraded connection as Tyrus reads it: every byte it reads first goes by the frame headers'
 * check ({@link FrameHeaders}), and a read stops before the frame that broke a rule. Once one has,
 * the input says it is not ready, so Tyrus's read loop ends and the handler can close.
 */
final class CheckedWebConnection implements WebConnection {

    private final WebConnection connection;
    private final FrameHeaders headers;

    CheckedWebConnection(WebConnection connection, FrameHeaders headers) {
        this.connection = connection;
        this.headers = headers;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
        return new CheckedInput(connection.getInputStream(), headers);
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        return connection.getOutputStream();
    }

    @Override
    public void close() throws Exception {
        connection.close();
    }

    /** The container's input, checked as it is read. */
    private static final class CheckedInput extends ServletInputStream {

        private final ServletInputStream input;
        private final FrameHeaders headers;

        CheckedInput(ServletInputStream input, FrameHeaders headers) {
            this.input = input;
            this.headers = headers;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int read = input.read(bytes, offset, length);
            return read <= 0 ? read : headers.scan(bytes, offset, read);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read == 1 ? one[0] & 0xFF : read < 0 ? -1 : 0;
        }

        @Override
        public int available() throws IOException {
            return input.available();
        }

        @Override
        public boolean isReady() {
            return headers.verdict() == FrameHeaders.Verdict.PASS && input.isReady();
        }

        @Override
        public boolean isFinished() {
            return input.isFinished();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            input.setReadListener(listener);
        }
    }
}
