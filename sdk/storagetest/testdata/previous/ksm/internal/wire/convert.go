package wire

import (
	storagev1 "github.com/ksm-cli/ksm/shared/proto/storage/v1"

	"github.com/ksm-cli/ksm/shared"
)

var optionTypes = map[shared.OptionType]storagev1.OptionType{
	shared.OptionString: storagev1.OptionType_OPTION_TYPE_STRING,
	shared.OptionBool:   storagev1.OptionType_OPTION_TYPE_BOOL,
	shared.OptionEnum:   storagev1.OptionType_OPTION_TYPE_ENUM,
}

func descriptionToProto(d *shared.Description) (*storagev1.DescribeResponse, error) {
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
			return nil, shared.Errorf(shared.CodeUnknown, "option %q has unknown type %d", o.Name, int(o.Type))
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

func descriptionFromProto(p *storagev1.DescribeResponse) (*shared.Description, error) {
	d := &shared.Description{
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
			return nil, shared.Errorf(shared.CodeUnknown, "describe: plugin option %q has unknown type %d", o.GetName(), int32(o.GetType()))
		}
		d.Options = append(d.Options, shared.Option{
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

func optionTypeFromProto(p storagev1.OptionType) (shared.OptionType, bool) {
	for t, pt := range optionTypes {
		if pt == p {
			return t, true
		}
	}
	return 0, false
}
