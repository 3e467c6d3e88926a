#!/usr/bin/python3
# Renders a LAVA device dictionary the way a LAVA server does for a job: the device type's jinja2 template, with the
# job's `context:` as template variables. Usage: render-device.py TEMPLATE_DIR DEVICE_TYPE < context.json > device.yaml
import json
import sys

import jinja2
import yaml


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: render-device.py TEMPLATE_DIR DEVICE_TYPE < context.json", file=sys.stderr)
        return 2
    template_dir, device_type = sys.argv[1], sys.argv[2]
    context = json.load(sys.stdin)
    # The server's settings: no escaping (YAML, not HTML) and trimmed block lines, or the YAML indentation breaks.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dir), autoescape=False, trim_blocks=True)
    text = env.get_template(f"{device_type}.jinja2").render(**context)
    # Checked with the YAML loader the dispatcher uses: the templates put a raw carriage return in a quoted scalar,
    # which PyYAML reads and stricter parsers refuse.
    device = yaml.safe_load(text)
    methods = (((device or {}).get("actions") or {}).get("boot") or {}).get("methods")
    if not methods:
        print(f"the rendered {device_type} device dictionary has no boot methods", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
