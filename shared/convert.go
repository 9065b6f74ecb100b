package shared

import (
	"fmt"

	storagev1 "github.com/ksm-cli/ksm/shared/proto/storage/v1"
)

var optionTypes = map[OptionType]storagev1.OptionType{
	OptionString: storagev1.OptionType_OPTION_TYPE_STRING,
	OptionBool:   storagev1.OptionType_OPTION_TYPE_BOOL,
	OptionEnum:   storagev1.OptionType_OPTION_TYPE_ENUM,
}

func (t OptionType) String() string {
	switch t {
	case OptionString:
		return "string"
	case OptionBool:
		return "bool"
	case OptionEnum:
		return "enum"
	}
	return fmt.Sprintf("OptionType(%d)", int(t))
}

func descriptionToProto(d *Description) (*storagev1.DescribeResponse, error) {
	out := &storagev1.DescribeResponse{
		Name:            d.Name,
		Version:         d.Version,
		ProtocolVersion: int32(d.ProtocolVersion),
		Summary:         d.Summary,
		CanSave:         d.CanSave,
		Env:             d.Env,
	}
	for _, o := range d.Options {
		t, ok := optionTypes[o.Type]
		if !ok {
			return nil, Errorf(CodeUnknown, "option %q has unknown type %d", o.Name, int(o.Type))
		}
		out.Options = append(out.Options, &storagev1.Option{
			Name:         o.Name,
			Usage:        o.Usage,
			Type:         t,
			DefaultValue: o.Default,
			Allowed:      o.Allowed,
			Required:     o.Required,
			Sensitive:    o.Sensitive,
			EnvVars:      o.EnvVars,
		})
	}
	return out, nil
}

func descriptionFromProto(p *storagev1.DescribeResponse) (*Description, error) {
	d := &Description{
		Name:            p.GetName(),
		Version:         p.GetVersion(),
		ProtocolVersion: int(p.GetProtocolVersion()),
		Summary:         p.GetSummary(),
		CanSave:         p.GetCanSave(),
		Env:             p.GetEnv(),
	}
	for _, o := range p.GetOptions() {
		t, ok := optionTypeFromProto(o.GetType())
		if !ok {
			return nil, Errorf(CodeUnknown, "describe: plugin option %q has unknown type %d", o.GetName(), int32(o.GetType()))
		}
		d.Options = append(d.Options, Option{
			Name:      o.GetName(),
			Usage:     o.GetUsage(),
			Type:      t,
			Default:   o.GetDefaultValue(),
			Allowed:   o.GetAllowed(),
			Required:  o.GetRequired(),
			Sensitive: o.GetSensitive(),
			EnvVars:   o.GetEnvVars(),
		})
	}
	return d, nil
}

func optionTypeFromProto(p storagev1.OptionType) (OptionType, bool) {
	for t, pt := range optionTypes {
		if pt == p {
			return t, true
		}
	}
	return 0, false
}
