package dev.velocitypreview.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * The report's charts, drawn with java.awt off-screen and written as PNG, so the suite needs nothing but the JDK
 * to produce them: cumulative latency distributions and grouped bars.
 */
public final class Chart {

    /** One line of a distribution chart. */
    public record Line(String name, Samples samples, boolean dashed) {
    }

    /** One series of a bar chart: a value per category; NaN leaves the bar out. */
    public record Bars(String name, double[] values) {
    }

    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;
    private static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 18);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private Chart() {
    }

    /**
     * Cumulative distributions: for each line, the share of samples (y, 0–100 %) at or below each latency (x).
     * The x axis ends at the largest sample of all lines.
     */
    public static void distribution(Path file, String title, String xLabel, List<Line> lines) {
        BufferedImage image = canvas();
        Graphics2D g = graphics(image);
        heading(g, title);
        double xMax = lines.stream().filter(line -> !line.samples().isEmpty())
                .mapToDouble(line -> line.samples().max()).max().orElse(1);
        double[] xTicks = ticks(xMax);
        xMax = xTicks[xTicks.length - 1];
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        axes(g, xTicks, xMax, new double[] {0, 25, 50, 75, 100}, 100, xLabel, "share at or below (%)");
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            if (line.samples().isEmpty()) {
                continue;
            }
            double[] values = line.samples().ascending();
            Path2D.Double path = new Path2D.Double();
            path.moveTo(LEFT, TOP + plotHeight);
            for (int k = 0; k < values.length; k++) {
                double x = LEFT + values[k] / xMax * plotWidth;
                path.lineTo(x, TOP + plotHeight - (double) k / values.length * plotHeight);
                path.lineTo(x, TOP + plotHeight - (double) (k + 1) / values.length * plotHeight);
            }
            g.setColor(PALETTE[i % PALETTE.length]);
            g.setStroke(line.dashed()
                    ? new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[] {8, 5}, 0)
                    : new BasicStroke(2.2f));
            g.draw(path);
        }
        legend(g, lines.stream().map(line -> line.name() + " (n=" + line.samples().count() + ")").toList(),
                lines.stream().map(Line::dashed).toList(), false);
        write(image, file);
    }

    /** Grouped bars: one group per category, one bar per series, each labelled with its value. */
    public static void bars(Path file, String title, String yLabel, List<String> categories, List<Bars> series) {
        BufferedImage image = canvas();
        Graphics2D g = graphics(image);
        heading(g, title);
        double yMax = 0;
        for (Bars bars : series) {
            for (double value : bars.values()) {
                if (!Double.isNaN(value)) {
                    yMax = Math.max(yMax, value);
                }
            }
        }
        // headroom above the tallest bar for its label and the legend
        double[] yTicks = ticks(yMax <= 0 ? 1 : yMax * 1.35);
        yMax = yTicks[yTicks.length - 1];
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        axes(g, null, 0, yTicks, yMax, null, yLabel);
        double group = (double) plotWidth / categories.size();
        double bar = group * 0.8 / series.size();
        g.setFont(LABEL);
        FontMetrics metrics = g.getFontMetrics();
        for (int c = 0; c < categories.size(); c++) {
            String category = categories.get(c);
            double groupLeft = LEFT + c * group;
            g.setColor(Color.DARK_GRAY);
            g.drawString(category, (float) (groupLeft + group / 2 - metrics.stringWidth(category) / 2.0),
                    TOP + plotHeight + 22);
            for (int s = 0; s < series.size(); s++) {
                double value = series.get(s).values()[c];
                if (Double.isNaN(value)) {
                    continue;
                }
                double height = value / yMax * plotHeight;
                double x = groupLeft + group * 0.1 + s * bar;
                g.setColor(PALETTE[s % PALETTE.length]);
                g.fill(new java.awt.geom.Rectangle2D.Double(x + 1, TOP + plotHeight - height, bar - 2, height));
                g.setColor(Color.BLACK);
                g.setFont(SMALL);
                String text = number(value);
                g.drawString(text, (float) (x + bar / 2 - g.getFontMetrics().stringWidth(text) / 2.0),
                        (float) (TOP + plotHeight - height - 4));
                g.setFont(LABEL);
            }
        }
        legend(g, series.stream().map(Bars::name).toList(), series.stream().map(s -> false).toList(), true);
        write(image, file);
    }

    private static BufferedImage canvas() {
        return new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    }

    private static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        return g;
    }

    private static void heading(Graphics2D g, String title) {
        g.setColor(Color.BLACK);
        g.setFont(TITLE);
        g.drawString(title, LEFT, 34);
    }

    /** Axes, grid and tick labels; {@code xTicks} null means categories label the x axis instead. */
    private static void axes(Graphics2D g, double[] xTicks, double xMax, double[] yTicks, double yMax,
                             String xLabel, String yLabel) {
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        g.setFont(LABEL);
        FontMetrics metrics = g.getFontMetrics();
        for (double tick : yTicks) {
            int y = (int) Math.round(TOP + plotHeight - tick / yMax * plotHeight);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(LEFT, y, LEFT + plotWidth, y);
            g.setColor(Color.DARK_GRAY);
            String text = number(tick);
            g.drawString(text, LEFT - 8 - metrics.stringWidth(text), y + 5);
        }
        if (xTicks != null) {
            for (double tick : xTicks) {
                int x = (int) Math.round(LEFT + tick / xMax * plotWidth);
                g.setColor(new Color(0xe6e6e6));
                g.drawLine(x, TOP, x, TOP + plotHeight);
                g.setColor(Color.DARK_GRAY);
                String text = number(tick);
                g.drawString(text, x - metrics.stringWidth(text) / 2, TOP + plotHeight + 20);
            }
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.2f));
        g.drawLine(LEFT, TOP + plotHeight, LEFT + plotWidth, TOP + plotHeight);
        g.drawLine(LEFT, TOP, LEFT, TOP + plotHeight);
        if (xLabel != null) {
            g.drawString(xLabel, LEFT + plotWidth / 2 - metrics.stringWidth(xLabel) / 2, HEIGHT - 22);
        }
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(yLabel, -(TOP + plotHeight / 2) - metrics.stringWidth(yLabel) / 2, 24);
        rotated.dispose();
    }

    private static void legend(Graphics2D g, List<String> names, List<Boolean> dashed, boolean topRight) {
        g.setFont(LABEL);
        FontMetrics metrics = g.getFontMetrics();
        int width = names.stream().mapToInt(metrics::stringWidth).max().orElse(0) + 50;
        int x = topRight ? WIDTH - RIGHT - width - 10 : WIDTH - RIGHT - width - 10;
        int y = topRight ? TOP + 10 : HEIGHT - BOTTOM - 20 * names.size() - 16;
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(x, y, width, 20 * names.size() + 10);
        g.setColor(Color.LIGHT_GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawRect(x, y, width, 20 * names.size() + 10);
        for (int i = 0; i < names.size(); i++) {
            int row = y + 20 + 20 * i;
            g.setColor(PALETTE[i % PALETTE.length]);
            g.setStroke(dashed.get(i)
                    ? new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[] {6, 4}, 0)
                    : new BasicStroke(2.5f));
            g.drawLine(x + 8, row - 5, x + 36, row - 5);
            g.setColor(Color.BLACK);
            g.drawString(names.get(i), x + 42, row);
        }
    }

    /** Round tick values from 0 to at least {@code max}: steps of 1, 2 or 5 times a power of ten. */
    static double[] ticks(double max) {
        double rough = max / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double step = magnitude;
        for (double factor : new double[] {1, 2, 5, 10}) {
            if (factor * magnitude >= rough) {
                step = factor * magnitude;
                break;
            }
        }
        int count = (int) Math.ceil(max / step - 1e-9);
        double[] ticks = new double[count + 1];
        for (int i = 0; i <= count; i++) {
            ticks[i] = i * step;
        }
        return ticks;
    }

    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e9) {
            return String.format(Locale.ROOT, "%d", (long) value);
        }
        return Math.abs(value) >= 10 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static void write(BufferedImage image, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!ImageIO.write(image, "png", file.toFile())) {
                throw new IllegalStateException("no PNG writer in this JDK");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write chart " + file, e);
        }
    }
}
